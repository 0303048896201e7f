/* "Use my location" on the directory: asks the browser for its position and searches near it.
   The button stays hidden where the browser cannot locate. */
(function () {
  "use strict";
  var button = document.getElementById("use-location");
  var form = button && button.form;
  if (!button || !form || !("geolocation" in navigator)) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.near.value = pos.coords.latitude.toFixed(5) + "," + pos.coords.longitude.toFixed(5);
      form.elements.place.value = "";
      form.submit();
    }, function () {
      button.disabled = false;
      var msg = document.createElement("p");
      msg.className = "error"; msg.setAttribute("role", "alert");
      msg.textContent = button.dataset.error || "Location unavailable";
      button.insertAdjacentElement("afterend", msg);
    }, { timeout: 10000, maximumAge: 600000 });
  });
})();
