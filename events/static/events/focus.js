/* The date's waitlist block the page was opened for (after a log-in, or after joining) takes the
   focus, also when the address lost its fragment (browsers focus a fragment's target when it is
   focusable, and skip `autofocus` on such pages). */
(function () {
  "use strict";
  var target = document.querySelector("[data-focus-on-load]");
  if (target) { target.focus(); }
})();
