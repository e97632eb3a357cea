// "Écouter": reads the main text of a plain-language page aloud with the browser's
// speech synthesis. The button only exists when the browser can speak: without
// JavaScript or without speechSynthesis, nothing shows. The language is <html lang>.
(function () {
  "use strict";
  if (!("speechSynthesis" in window) || typeof window.SpeechSynthesisUtterance !== "function") { return; }
  var article = document.querySelector("[data-listen]");
  if (!article || article.dataset.listenReady) { return; }
  article.dataset.listenReady = "1";

  var synth = window.speechSynthesis;
  var lang = (document.documentElement.getAttribute("lang") || "fr").toLowerCase();
  var locales = { fr: "fr-FR", en: "en-GB", ar: "ar" };
  var playLabel = article.dataset.listenLabel || "Écouter";
  var stopLabel = article.dataset.listenStop || "Stop";
  var speaking = false;

  var bar = document.createElement("div");
  bar.className = "listen";
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button-secondary listen-button";
  button.textContent = playLabel;
  bar.appendChild(button);

  // One utterance per block of text: short utterances are not cut by the browser,
  // and the reading follows the page's order (headings, paragraphs, list items).
  function blocks() {
    var found = [];
    article.querySelectorAll("h1, h2, h3, p, li, dt, dd").forEach(function (el) {
      if (el.closest(".listen") || el.querySelector("p, li, dt, dd")) { return; }
      var text = el.textContent.replace(/\s+/g, " ").trim();
      if (text) { found.push(text); }
    });
    return found;
  }

  function voice() {
    var voices = synth.getVoices ? synth.getVoices() : [];
    for (var i = 0; i < voices.length; i += 1) {
      if ((voices[i].lang || "").toLowerCase().indexOf(lang) === 0) { return voices[i]; }
    }
    return null;
  }

  function reset() {
    speaking = false;
    button.textContent = playLabel;
  }

  function play() {
    synth.cancel();
    var texts = blocks();
    var chosen = voice();
    speaking = true;
    button.textContent = stopLabel;
    texts.forEach(function (text, index) {
      var utterance = new window.SpeechSynthesisUtterance(text);
      utterance.lang = locales[lang] || lang;
      if (chosen) { utterance.voice = chosen; }
      utterance.rate = 0.9;
      if (index === texts.length - 1) {
        utterance.onend = reset;
        utterance.onerror = reset;
      }
      synth.speak(utterance);
    });
  }

  button.addEventListener("click", function () {
    if (speaking) {
      synth.cancel();
      reset();
    } else {
      play();
    }
  });
  window.addEventListener("pagehide", function () { synth.cancel(); });

  var heading = article.querySelector("h1");
  var anchor = heading && heading.parentElement !== article ? heading.parentElement : heading;
  if (anchor) {
    anchor.insertAdjacentElement("afterend", bar);
  } else {
    article.insertAdjacentElement("afterbegin", bar);
  }
})();
