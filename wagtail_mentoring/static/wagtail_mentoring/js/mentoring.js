/* wagtail_mentoring: progressive enhancement for the public pages.
 *
 * FAQ accordion (WAI-ARIA accordion pattern): without JavaScript every answer is
 * shown; with it, answers collapse and each question's button toggles its answer.
 *
 * Error summary: a form shown again with errors moves focus to the summary at its top,
 * so screen readers announce it and keyboard users start from its links.
 */
(function () {
    "use strict";

    function setExpanded(button, expanded) {
        var panel = document.getElementById(button.getAttribute("aria-controls"));
        button.setAttribute("aria-expanded", expanded ? "true" : "false");
        if (panel) {
            panel.hidden = !expanded;
        }
    }

    function initAccordion(root) {
        var buttons = root.querySelectorAll("button[aria-controls]");
        buttons.forEach(function (button) {
            setExpanded(button, false);
            button.addEventListener("click", function () {
                setExpanded(button, button.getAttribute("aria-expanded") !== "true");
            });
        });
        root.setAttribute("data-mentoring-accordion-ready", "");
    }

    function focusErrorSummary() {
        var summary = document.querySelector("[data-mentoring-error-summary]");
        if (summary) {
            summary.focus();
        }
    }

    function init() {
        document.querySelectorAll("[data-mentoring-accordion]").forEach(initAccordion);
        focusErrorSummary();
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
})();
