/* Maps of venues (Leaflet). Reads the markers from #map-points and, on the directory, the
   searched place from #map-origin. The list beside each map carries the same information, so the
   map is a convenience, never the only way to a venue. */
(function () {
  "use strict";
  var el = document.getElementById("venue-map");
  var data = document.getElementById("map-points");
  if (!el || !data || typeof L === "undefined") { return; }
  var script = document.getElementById("map-script");
  var points = JSON.parse(data.textContent) || [];
  var originEl = document.getElementById("map-origin");
  var origin = originEl ? JSON.parse(originEl.textContent) : null;
  var colours = { tiers_lieu: "#1b6e3c", totem: "#b3261e", social_business_center: "#1f4f9c" };
  var map = L.map(el, { scrollWheelZoom: false });
  var tiles = script && script.dataset.tiles;
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 18, attribution: script.dataset.attribution || "" }).addTo(map);
  }
  var bounds = [];
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lng], {
      radius: 7, weight: 2, color: "#fff", fillColor: colours[p.kind] || "#444", fillOpacity: 0.95
    }).addTo(map);
    var label = document.createElement("span");
    if (p.url) {
      var a = document.createElement("a"); a.href = p.url; a.textContent = p.name; label.appendChild(a);
    } else { label.textContent = p.name; }
    if (p.city) { label.appendChild(document.createTextNode(" — " + p.city)); }
    marker.bindPopup(label);
    bounds.push([p.lat, p.lng]);
  });
  if (origin) {
    L.circleMarker([origin.lat, origin.lng], { radius: 9, color: "#000", weight: 3, fillOpacity: 0 }).addTo(map);
    bounds.push([origin.lat, origin.lng]);
  }
  var zoom = parseInt((script && script.dataset.zoom) || "12", 10);
  if (bounds.length === 1) { map.setView(bounds[0], zoom); }
  else if (bounds.length > 1) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 13 }); }
  else { map.setView([46.6, 2.4], 5); }
  el.dataset.markers = String(points.length);
})();
