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
      var busy = form.querySelector("input:checked") || document.querySelector("details[open]") ||
        document.activeElement !== document.body;
      if (!busy && document.visibilityState === "visible") {
        window.location.reload();
      }
    }, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    updateConditional();
    document.addEventListener("change", updateConditional);

    var register = document.querySelector("form[data-refresh]");
    if (register) {
      keepFresh(register);
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
