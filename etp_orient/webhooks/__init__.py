"""Signed webhooks: booking, enrollment and session events POSTed to partners' endpoints.

A coordinator registers an HTTPS endpoint for their structure and is shown its secret
once. Each change that a partner may want to hear about is already written to the audit
trail in the change's own transaction; :func:`events.on_audit` turns the ones listed in
:data:`events.FROM_AUDIT` into one outbox message per active endpoint of the structures
that run the programme, in that same transaction. The outbox sender then POSTs them
(``delivery.deliver``) with retries and back-off: never lost, at least once, and the
``X-ETP-Event-Id`` lets the receiver drop a repeat.
"""
