/* The site header on small screens: one bar with a "Menu" button that shows and hides the links.
   Loaded in <head> (not deferred) so that the "js" class is set before the first paint: without
   JavaScript the class is missing, the button stays hidden and the links simply show. Also opens
   the disclosures marked data-open-wide (the agenda's filters) on wide screens. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var WIDE = "(min-width: 56rem)";

  function setUp() {
    var button = document.querySelector(".menu-button");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (button && menu) {
      var setOpen = function (open) {
        button.setAttribute("aria-expanded", open ? "true" : "false");
        menu.classList.toggle("is-open", open);
      };
      // A <button>: Enter and Space click it, natively.
      button.addEventListener("click", function () {
        setOpen(button.getAttribute("aria-expanded") !== "true");
      });
      document.addEventListener("keydown", function (event) {
        if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") { return; }
        setOpen(false);
        button.focus();
      });
    }
    if (window.matchMedia && window.matchMedia(WIDE).matches) {
      document.querySelectorAll("details[data-open-wide]").forEach(function (details) { details.open = true; });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
