/* Booking pages, progressive: everything works without this script.
   - On a resource's day: the "Until" list keeps only the ends a booking from the chosen start can
     have (consecutive free slots, enough desks, the resource's shortest and longest booking), and
     choosing a free slot in the grid selects it as the start without reloading the page.
   - On "My bookings": a button copies the calendar address. */
(function () {
  "use strict";

  var data = document.getElementById("slot-grid-data");
  var start = document.getElementById("id_start");
  var end = document.getElementById("id_end");
  if (data && start && end) {
    var grid = JSON.parse(data.textContent);
    var quantity = document.getElementById("id_quantity");
    var slots = grid.slots.map(function (s) { return { start: Date.parse(s[0]), end: Date.parse(s[1]), remaining: s[2] }; });

    var validEnds = function (from, units) {
      var ends = [], cursor = from, index = slots.findIndex(function (s) { return s.start === from; });
      if (index < 0) { return ends; }
      for (var i = index; i < slots.length; i++) {
        var s = slots[i];
        if (s.start !== cursor || s.remaining < units) { break; }
        var minutes = (s.end - from) / 60000;
        if (minutes > grid.max) { break; }
        if (minutes >= grid.min) { ends.push(s.end); }
        cursor = s.end;
      }
      return ends;
    };

    var refresh = function (keep) {
      var from = Date.parse(start.value);
      var units = quantity ? Math.max(1, parseInt(quantity.value, 10) || 1) : 1;
      var ends = validEnds(from, units);
      var current = Date.parse(end.value), chosen = null;
      if (!ends.length) {  // a start that cannot begin a booking: leave the list whole, the server explains
        Array.prototype.forEach.call(end.options, function (option) { option.disabled = false; option.hidden = false; });
        return;
      }
      Array.prototype.forEach.call(end.options, function (option) {
        var ok = ends.indexOf(Date.parse(option.value)) >= 0;
        option.disabled = !ok;
        option.hidden = !ok;
      });
      if (keep && ends.indexOf(current) >= 0) { return; }
      // About an hour when the rules allow it, as the server chooses.
      var target = from + Math.min(Math.max(grid.min, 60), grid.max) * 60000;
      ends.forEach(function (e) { if (e <= target) { chosen = e; } });
      if (chosen === null && ends.length) { chosen = ends[0]; }
      Array.prototype.forEach.call(end.options, function (option) {
        if (Date.parse(option.value) === chosen) { option.selected = true; }
      });
    };

    start.addEventListener("change", function () { refresh(false); markChosen(); });
    if (quantity) { quantity.addEventListener("input", function () { refresh(true); }); }
    refresh(true);

    var markChosen = function () {
      var from = Date.parse(start.value);
      document.querySelectorAll(".slot-grid a[data-start]").forEach(function (link) {
        var on = Date.parse(link.dataset.start) === from;
        link.parentNode.classList.toggle("slot-chosen", on);
        if (on) { link.setAttribute("aria-current", "true"); } else { link.removeAttribute("aria-current"); }
      });
    };
    document.querySelectorAll(".slot-grid a[data-start]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var from = Date.parse(link.dataset.start);
        var option = Array.prototype.find.call(start.options, function (o) { return Date.parse(o.value) === from; });
        if (!option) { return; }
        event.preventDefault();
        option.selected = true;
        refresh(false);
        markChosen();
        start.focus();
      });
    });
    markChosen();
  }

  var copy = document.getElementById("copy-feed");
  var field = document.getElementById("feed-url");
  var status = document.getElementById("copy-status");
  if (copy && field && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        status.textContent = copy.dataset.done;
      }, function () {
        field.select();
        status.textContent = copy.dataset.failed;
      });
    });
  }
})();
