/* The search form, progressive: sends the browser's time zone (times are read in it when the
   place gives none) and shows the "from / until" fields only when "Hours" is chosen. */
(function () {
  "use strict";
  var tz = document.getElementById("search-tz");
  if (tz && !tz.value && window.Intl) {
    try { tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* keep the server's default */ }
  }
  var hours = document.getElementById("hours-fields");
  var radios = document.querySelectorAll("input[name=when]");
  if (!hours || !radios.length) { return; }
  var sync = function () {
    var chosen = document.querySelector("input[name=when]:checked");
    hours.hidden = !!chosen && chosen.value !== "hours";
  };
  radios.forEach(function (radio) { radio.addEventListener("change", sync); });
  sync();
})();
