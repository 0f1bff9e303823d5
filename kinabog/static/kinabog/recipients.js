/* Recipient suggestions while typing, for the message forms.
 *
 * Progressive enhancement: without this file the "Find recipient" button searches on the server and
 * lists the matches as checkboxes. With it, matches appear as a list under the search field (the
 * ARIA combobox pattern); choosing one adds a ticked checkbox to the chosen recipients, exactly what
 * the server-side search would have given. Loaded as a file: the pages allow no inline script.
 */
(function () {
  "use strict";

  var picker = document.querySelector("[data-recipient-picker]");
  if (!picker || !window.fetch) {
    return;
  }
  var input = picker.querySelector("#recipient-q");
  var chosen = picker.querySelector("[data-chosen]");
  var status = picker.querySelector("[data-recipient-status]");
  var roleTemplate = document.getElementById("group-role-template");
  var searchUrl = picker.getAttribute("data-search-url");
  if (!input || !chosen || !searchUrl) {
    return;
  }

  var list = document.createElement("ul");
  list.id = "recipient-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", picker.getAttribute("data-suggestions-label") || "");
  list.hidden = true;
  input.closest(".search-field").appendChild(list);

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  var results = [];
  var active = -1;
  var timer = null;
  var controller = null;

  function describe(item) {
    // "Børnehuset Katamaranen · gruppe": the same words as the server-rendered list.
    var parts = [];
    if (item.detail) {
      parts.push(item.detail);
    }
    var kind = picker.getAttribute("data-kind-" + item.kind);
    if (kind) {
      parts.push(kind);
    }
    return parts.length ? " · " + parts.join(" · ") : "";
  }

  function say(text) {
    status.textContent = text;
  }

  function chosenValues() {
    var values = {};
    chosen.querySelectorAll("input[name=recipient]").forEach(function (box) {
      if (box.checked) {
        values[box.value] = true;
      }
    });
    return values;
  }

  function close() {
    list.hidden = true;
    list.textContent = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    results = [];
    active = -1;
  }

  function render(items) {
    var taken = chosenValues();
    results = items.filter(function (item) {
      return !taken[item.value];
    });
    list.textContent = "";
    results.forEach(function (item, index) {
      var option = document.createElement("li");
      option.id = "suggestion-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.textContent = item.label;
      var detail = describe(item);
      if (detail) {
        var extra = document.createElement("span");
        extra.className = "muted";
        extra.textContent = detail;
        option.appendChild(extra);
      }
      // Keep focus in the field when an option is clicked.
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
      });
      option.addEventListener("click", function () {
        choose(index);
      });
      list.appendChild(option);
    });
    var open = results.length > 0;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    active = -1;
    if (open) {
      say(picker.getAttribute("data-count-text").replace("%(count)s", String(results.length)));
    } else {
      say(picker.getAttribute("data-none-text"));
    }
  }

  function highlight(index) {
    var options = list.querySelectorAll("[role=option]");
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0 && options[index]) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(index) {
    var item = results[index];
    if (!item) {
      return;
    }
    var id = "r-" + item.kind + "-" + item.id;
    var row = document.createElement("li");
    var wrap = document.createElement("div");
    wrap.className = "recipient-option";
    var box = document.createElement("input");
    box.type = "checkbox";
    box.name = "recipient";
    box.value = item.value;
    box.id = id;
    box.checked = true;
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = item.label;
    var detail = describe(item);
    if (detail) {
      var extra = document.createElement("span");
      extra.className = "muted";
      extra.textContent = detail;
      label.appendChild(extra);
    }
    wrap.appendChild(box);
    wrap.appendChild(label);
    if (item.kind === "group" && roleTemplate) {
      var fragment = roleTemplate.content.cloneNode(true);
      var select = fragment.querySelector("select");
      var roleLabel = fragment.querySelector("label");
      select.name = "role-" + item.id;
      select.id = "role-" + item.id;
      roleLabel.htmlFor = select.id;
      wrap.appendChild(fragment);
    }
    row.appendChild(wrap);
    chosen.appendChild(row);
    var empty = picker.querySelector("[data-chosen-empty]");
    if (empty) {
      empty.hidden = true;
    }
    input.value = "";
    close();
    say(picker.getAttribute("data-added-text").replace("%(name)s", item.label));
    input.focus();
  }

  function search() {
    var query = input.value.trim();
    if (query.length < 2) {
      close();
      return;
    }
    if (controller) {
      controller.abort();
    }
    controller = window.AbortController ? new AbortController() : null;
    fetch(searchUrl + "?q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        return response.ok ? response.json() : { results: [] };
      })
      .then(function (data) {
        if (input.value.trim() === query) {
          render(data.results || []);
        }
      })
      .catch(function () {
        /* Aborted or offline: the "Find recipient" button still works. */
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 200);
  });

  input.addEventListener("keydown", function (event) {
    if (list.hidden) {
      return;
    }
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight(Math.min(active + 1, results.length - 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(Math.max(active - 1, 0));
    } else if (event.key === "Enter" && active >= 0) {
      // Without a highlighted suggestion Enter submits the form's search, as without JavaScript.
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });

  input.addEventListener("blur", function () {
    window.setTimeout(close, 150);
  });
})();
