// Komme/gå: small enhancements; every page works without them.
(function () {
  "use strict";

  // Show a field only when a radio group has one of the given values: data-show-if="name=value1,value2".
  function updateConditional() {
    document.querySelectorAll("[data-show-if]").forEach(function (element) {
      var parts = element.getAttribute("data-show-if").split("=");
      var checked = document.querySelector('input[name="' + parts[0] + '"]:checked');
      var show = !checked || parts[1].split(",").indexOf(checked.value) !== -1;
      element.hidden = !show && !element.querySelector(".field-error");
    });
  }

  // The staff list refreshes itself while nothing is ticked or open, so counts stay current.
  function keepFresh(form) {
    var seconds = parseInt(form.getAttribute("data-refresh"), 10);
    window.setInterval(function () {
      var active = document.activeElement;
      // A row's button that has just answered in place keeps the focus; that is no work in progress. Any other
      // focus (someone moving through the list with the keyboard) or a tap on its way is.
      var busy = form.querySelector("input:checked") || document.querySelector("details[open]") ||
        form.querySelector("[aria-disabled=true]") ||
        (active !== document.body && !active.hasAttribute("data-answered"));
      if (!busy && document.visibilityState === "visible") {
        window.location.reload();
      }
    }, seconds * 1000);
  }

  // A row's "Check in" / "Check out" answers in place: the list is not loaded again after every tap, which
  // on an old phone in the morning rush is most of the wait. Anything unexpected submits the form as usual.
  function answerInPlace(form) {
    var status = document.getElementById("register-status") || document.querySelector(".messages[role=status]");
    var problems = document.getElementById("register-problems");

    function adjustCount(key, delta) {
      var count = key && document.querySelector(".counts .status-" + key + " .count-n");
      if (count) {
        count.textContent = String(Math.max(0, parseInt(count.textContent, 10) + delta));
      }
    }

    function update(child) {
      var row = form.querySelector('li.child-row[data-child="' + child.id + '"]');
      if (!row) {
        return;
      }
      row.className = row.className.replace(/\brow-[\w-]+/, "row-" + child.statusClass);
      var pill = row.querySelector(".pill");
      if (pill) {
        pill.outerHTML = child.pill;
      }
      var before = row.getAttribute("data-count");
      if (before !== child.count) {
        adjustCount(before, -1);
        adjustCount(child.count, 1);
        row.setAttribute("data-count", child.count);
      }
      var button = row.querySelector("button.quick");
      if (button && child.next) {
        button.value = child.next.action + ":" + child.id;
        button.className = "quick " + (child.next.action === "check_in" ? "quick-in" : "quick-out");
        button.firstChild.nodeValue = child.next.label;
      } else if (button) {
        row.querySelector(".day-link").focus();
        button.remove();
      }
    }

    function say(element, texts, className) {
      element.textContent = "";
      texts.forEach(function (text) {
        var line = document.createElement("p");
        if (className) {
          line.className = className;
        }
        line.textContent = text;
        element.appendChild(line);
      });
    }

    // Not JSON (signed out, gone, an error page) or no network: the browser posts the form itself.
    function postPlainly(button) {
      form.setAttribute("data-plain", "");
      if (form.requestSubmit) {
        form.requestSubmit(button);
        return;
      }
      var quick = document.createElement("input");
      quick.type = "hidden";
      quick.name = "quick";
      quick.value = button.value;
      form.appendChild(quick);
      form.submit();
    }

    function show(button, answer) {
      if (!answer.ok) {
        say(status, []);
        say(problems, answer.data.problems || []);
        problems.hidden = false;
        return;
      }
      problems.hidden = true;
      answer.data.children.forEach(update);
      say(status, [answer.data.message].concat(answer.data.problems), "message message-success");
      // The button now does the opposite: a second tap of a double tap must not undo the first.
      button.setAttribute("data-settle", String(Date.now() + 800));
      // It keeps the focus; the list's refresh may still come while it has it (see keepFresh).
      button.setAttribute("data-answered", "");
      button.addEventListener("blur", function () { button.removeAttribute("data-answered"); }, { once: true });
    }

    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !button.classList.contains("quick") || !window.fetch || form.hasAttribute("data-plain")) {
        return;
      }
      event.preventDefault();
      // A tap while the last one is on its way, or just after it changed the button, does nothing
      // (disabling the button would take its focus).
      var settling = Number(button.getAttribute("data-settle")) > Date.now();
      if (button.getAttribute("aria-disabled") === "true" || settling) {
        return;
      }
      var body = new URLSearchParams();
      body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      body.append("quick", button.value);
      button.setAttribute("aria-disabled", "true");
      fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      }).then(function (answer) {
        button.removeAttribute("aria-disabled");
        show(button, answer);
      }, function () {
        button.removeAttribute("aria-disabled");
        postPlainly(button);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    updateConditional();
    document.addEventListener("change", updateConditional);

    var register = document.querySelector("form[data-refresh]");
    if (register) {
      keepFresh(register);
      answerInPlace(register);
    }

    // The kiosk list reloads now and then; a question left unanswered goes back to the list.
    var main = document.querySelector("main[data-reload]");
    if (main) {
      window.setInterval(function () { window.location.reload(); }, parseInt(main.getAttribute("data-reload"), 10) * 1000);
    }
    var confirm = document.querySelector("main[data-return]");
    if (confirm) {
      window.setTimeout(function () {
        window.location.href = confirm.getAttribute("data-return");
      }, parseInt(confirm.getAttribute("data-return-after"), 10) * 1000);
    }
  });
})();
