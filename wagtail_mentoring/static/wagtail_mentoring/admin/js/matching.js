/* wagtail_mentoring admin: a form marked data-busy-form says it is working once sent.
 * Its submit buttons are disabled (no second run), the one with data-busy-text shows
 * that text, and the form is aria-busy; a status region repeats the text for screen
 * readers. No framework. */
(function () {
    "use strict";
    function busy(form) {
        var text = "";
        form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
            if (button.dataset.busyText) {
                text = button.dataset.busyText;
                button.dataset.idleText = button.textContent;
                button.textContent = text;
            }
            button.disabled = true;
            button.setAttribute("aria-disabled", "true");
        });
        form.setAttribute("aria-busy", "true");
        var status = form.querySelector("[data-busy-status]");
        if (status && text) {
            status.textContent = text;
        }
    }
    document.addEventListener("submit", function (event) {
        var form = event.target;
        if (!form.matches || !form.matches("form[data-busy-form]")) {
            return;
        }
        if (form.getAttribute("aria-busy") === "true") {
            event.preventDefault(); // already sent
            return;
        }
        // After this handler, so the browser has taken the form's data already.
        window.setTimeout(function () { busy(form); }, 0);
    });
    // Back from the browser's cache: the page is usable again.
    window.addEventListener("pageshow", function (event) {
        if (!event.persisted) {
            return;
        }
        document.querySelectorAll("form[data-busy-form][aria-busy=true]").forEach(function (form) {
            form.removeAttribute("aria-busy");
            form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
                if (button.dataset.idleText) {
                    button.textContent = button.dataset.idleText;
                }
                button.disabled = false;
                button.removeAttribute("aria-disabled");
            });
            var status = form.querySelector("[data-busy-status]");
            if (status) {
                status.textContent = "";
            }
        });
    });
}());
