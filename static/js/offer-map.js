/* The offer map (/programmes/carte): every site of the filtered offer, clustered.
   The list under the map holds the same sites and works without JavaScript. Leaflet
   and its clustering plugin (about 55 KB) load only when the person asks for the map,
   so the page stays light on a slow network; the markers come as JSON from
   /api/v1/programmes/carte with the page's filters. */
(function () {
  "use strict";
  var el = document.getElementById("offer-map");
  if (!el) { return; }

  function popup(site, titles) {
    var box = document.createElement("div");
    var heading = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = site.name + ", " + site.commune;
    heading.appendChild(strong);
    box.appendChild(heading);
    var intro = document.createElement("p");
    intro.textContent = el.getAttribute("data-programmes");
    box.appendChild(intro);
    var list = document.createElement("ul");
    site.programmes.forEach(function (code) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "/programmes/" + encodeURIComponent(code);
      link.textContent = titles[code] || code;
      link.lang = "fr";
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function draw() {
    var map = L.map(el, {scrollWheelZoom: false}).setView([46.6, 2.4], 5);
    L.tileLayer(el.getAttribute("data-tiles"), {
      maxZoom: 18,
      attribution: el.getAttribute("data-attribution")
    }).addTo(map);
    var cluster = L.markerClusterGroup({showCoverageOnHover: false});
    map.addLayer(cluster);
    var request = new XMLHttpRequest();
    request.open("GET", el.getAttribute("data-markers"));
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status !== 200) { return; }
      var data = JSON.parse(request.responseText);
      var markers = data.sites.map(function (site) {
        var marker = L.marker([site.lat, site.lon], {alt: site.name + ", " + site.commune, title: site.name});
        marker.bindPopup(popup(site, data.titles));
        return marker;
      });
      cluster.addLayers(markers);
      if (markers.length) {
        map.fitBounds(cluster.getBounds(), {padding: [30, 30], maxZoom: 12});
      }
      el.setAttribute("data-loaded", String(markers.length));
    };
    request.send();
  }

  function loadScripts(urls, done) {
    if (!urls.length) { done(); return; }
    var script = document.createElement("script");
    script.src = urls[0];
    script.onload = function () { loadScripts(urls.slice(1), done); };
    document.head.appendChild(script);
  }

  var button = document.createElement("button");
  button.type = "button";
  button.className = "show-map";
  button.textContent = el.getAttribute("data-show");
  el.hidden = true;
  el.parentNode.insertBefore(button, el);
  button.addEventListener("click", function () {
    button.disabled = true;
    el.getAttribute("data-css").split(" ").forEach(function (href) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      document.head.appendChild(link);
    });
    loadScripts(el.getAttribute("data-js").split(" "), function () {
      button.parentNode.removeChild(button);
      el.hidden = false;
      draw();
      el.focus();
    });
  });
})();
