/* The results map (Leaflet, vendored). Markers come from the result list in the
   page (data-lat/data-lon), so the list stays the reference and works alone. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") { return; }
  var home = [parseFloat(el.getAttribute("data-lat")), parseFloat(el.getAttribute("data-lon"))];
  var map = L.map(el, {scrollWheelZoom: false}).setView(home, 10);
  L.tileLayer(el.getAttribute("data-tiles"), {
    maxZoom: 18,
    attribution: el.getAttribute("data-attribution")
  }).addTo(map);
  var bounds = [home];
  L.circleMarker(home, {radius: 8}).addTo(map).bindPopup(el.getAttribute("data-home"));
  Array.prototype.forEach.call(document.querySelectorAll("li.result[data-lat]"), function (li) {
    var lat = parseFloat(li.getAttribute("data-lat"));
    var lon = parseFloat(li.getAttribute("data-lon"));
    if (isNaN(lat) || isNaN(lon)) { return; }
    var link = document.createElement("a");
    link.href = li.getAttribute("data-url");
    link.textContent = li.getAttribute("data-title");
    L.marker([lat, lon], {alt: li.getAttribute("data-title")}).addTo(map).bindPopup(link);
    bounds.push([lat, lon]);
  });
  if (bounds.length > 1) { map.fitBounds(bounds, {padding: [30, 30], maxZoom: 13}); }
})();
