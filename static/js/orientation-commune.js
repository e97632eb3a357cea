/* Commune autocomplete over /api/v1/communes (an enhancement: without it the
   plain text field works, the server understands names and postal codes).
   ARIA 1.2 combobox pattern: arrows move, Enter chooses, Escape closes. */
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[data-autocomplete='commune']");
  Array.prototype.forEach.call(inputs, function (input) {
    var box = input.closest(".commune-autocomplete") || input.parentNode;
    var source = box.getAttribute("data-source") || "/api/v1/communes";
    var list = document.createElement("ul");
    var listId = input.id + "-options";
    var hidden = null;
    var items = [];
    var active = -1;
    var timer = null;
    var status = document.createElement("p");

    list.id = listId;
    list.className = "autocomplete-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function choose(index) {
      var item = items[index];
      if (!item) { return; }
      var code = (item.postal_codes && item.postal_codes[0]) || item.departement || "";
      input.value = item.name + (code ? " (" + code + ")" : "");
      if (!hidden) {
        hidden = document.createElement("input");
        hidden.type = "hidden";
        input.form.appendChild(hidden);
      }
      hidden.name = input.name;
      hidden.value = "insee:" + item.insee;
      input.setAttribute("data-name", input.name);
      input.removeAttribute("name");
      close();
    }

    function mark() {
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", listId + "-" + active);
      }
    }

    function show(found) {
      items = found.slice(0, 8);
      list.innerHTML = "";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        var code = (item.postal_codes && item.postal_codes[0]) || item.departement || "";
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.textContent = item.name + (code ? " (" + code + ")" : "");
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      active = -1;
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      // the sentences come translated from the page (data-found, data-none)
      status.textContent = items.length
        ? (box.getAttribute("data-found") || "{count}").replace("{count}", String(items.length))
        : (box.getAttribute("data-none") || "");
    }

    input.addEventListener("input", function () {
      if (hidden) {  // typing again: the text is what counts
        input.name = input.getAttribute("data-name") || "commune";
        hidden.parentNode.removeChild(hidden);
        hidden = null;
      }
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) { close(); return; }
      timer = setTimeout(function () {
        fetch(source + "?q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (data) {
            var found = Array.isArray(data) ? data : (data.communes || data.results || []);
            show(found);
          })
          .catch(close);
      }, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { active = Math.min(items.length - 1, active + 1); mark(); event.preventDefault(); }
      else if (event.key === "ArrowUp") { active = Math.max(0, active - 1); mark(); event.preventDefault(); }
      else if (event.key === "Enter" && active >= 0) { choose(active); event.preventDefault(); }
      else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  });
})();
