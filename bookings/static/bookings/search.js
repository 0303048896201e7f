/* The search form, progressive: sends the browser's time zone and names it in the "in my time
   zone" choice, shows the "from / until" fields and that choice only when "Hours" is chosen, and
   names the quantity after the kind (desks, or people for a room). */
(function () {
  "use strict";
  var tz = document.getElementById("search-tz");
  if (tz && !tz.value && window.Intl) {
    try { tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* keep the server's default */ }
  }
  document.querySelectorAll("[data-browser-tz]").forEach(function (span) {
    if (tz && tz.value) { span.textContent = tz.value; }
  });
  var kind = document.getElementById("id_kind");
  var label = document.getElementById("quantity-label");
  if (kind && label) {
    kind.addEventListener("change", function () {
      var desks = kind.value === "desk" || kind.value === "desk_pool";
      label.textContent = desks ? label.dataset.desks : label.dataset.people;
    });
  }
  var hours = document.getElementById("hours-fields");
  var zone = document.getElementById("zone-fields");
  var radios = document.querySelectorAll("input[name=when]");
  if (!hours || !radios.length) { return; }
  var sync = function () {
    var chosen = document.querySelector("input[name=when]:checked");
    hours.hidden = !!chosen && chosen.value !== "hours";
    if (zone) { zone.hidden = hours.hidden; }
  };
  radios.forEach(function (radio) { radio.addEventListener("change", sync); });
  sync();
})();
