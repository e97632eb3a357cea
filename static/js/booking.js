// Booking forms: move the focus to the error summary so that screen readers
// announce it first. Everything works without this file.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
})();
