// Adds a "Copier" button next to each feed address (the address stays selectable without JS).
(function () {
  "use strict";
  document.querySelectorAll("input.subscribe-url").forEach(function (input) {
    if (!navigator.clipboard || input.dataset.enhanced) { return; }
    input.dataset.enhanced = "1";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button-secondary subscribe-copy";
    button.textContent = input.dataset.copyLabel || "Copier";
    var status = document.createElement("span");
    status.setAttribute("role", "status");
    status.className = "subscribe-status";
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        status.textContent = input.dataset.copiedLabel || "OK";
      });
    });
    input.addEventListener("focus", function () { input.select(); });
    input.insertAdjacentElement("afterend", status);
    input.insertAdjacentElement("afterend", button);
  });
})();
