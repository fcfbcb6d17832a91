/* wagtail_mentoring: progressive enhancement for the public pages. Everything works
 * without this script; it only adds to what the HTML already does.
 *
 * FAQ: each question is a native <details>, which opens and closes by itself. The
 * script opens the question a link points at (#its-id), and opens every question for
 * printing, closing again afterwards those it opened.
 *
 * Error summary: a form shown again with errors moves focus to the summary at its top,
 * so screen readers announce it and keyboard users start from its links.
 */
(function () {
    "use strict";

    function openTarget() {
        var id = decodeURIComponent(window.location.hash.slice(1));
        var target = id && document.getElementById(id);
        var details = target && target.closest("[data-mentoring-accordion] details");
        if (details) {
            details.open = true;
        }
    }

    function initAccordions() {
        var roots = document.querySelectorAll("[data-mentoring-accordion]");
        var openedForPrint = [];
        roots.forEach(function (root) {
            root.setAttribute("data-mentoring-accordion-ready", "");
        });
        window.addEventListener("hashchange", openTarget);
        window.addEventListener("beforeprint", function () {
            roots.forEach(function (root) {
                root.querySelectorAll("details:not([open])").forEach(function (details) {
                    details.open = true;
                    openedForPrint.push(details);
                });
            });
        });
        window.addEventListener("afterprint", function () {
            openedForPrint.forEach(function (details) {
                details.open = false;
            });
            openedForPrint = [];
        });
        openTarget();
    }

    function focusErrorSummary() {
        var summary = document.querySelector("[data-mentoring-error-summary]");
        if (summary) {
            summary.focus();
        }
    }

    function init() {
        initAccordions();
        focusErrorSummary();
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
})();
