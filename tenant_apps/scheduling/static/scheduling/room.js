/* The video room (tenant_apps.scheduling): starts Jitsi's IFrame API from the data attributes the
   page carries (domain, room, token), turns the lobby on for the moderator, and refreshes a page
   that waits for the room to open. No inline script: the CSP allows this file and the Jitsi host. */
(function () {
  "use strict";

  function start() {
    var waiting = document.querySelector("[data-paco-refresh]");
    if (waiting) {
      var seconds = parseInt(waiting.getAttribute("data-paco-refresh"), 10) || 15;
      window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
      return;
    }
    var node = document.getElementById("paco-jitsi");
    if (!node || typeof window.JitsiMeetExternalAPI !== "function") {
      return;
    }
    var isModerator = node.getAttribute("data-moderator") === "true";
    var api = new window.JitsiMeetExternalAPI(node.getAttribute("data-domain"), {
      roomName: node.getAttribute("data-room"),
      jwt: node.getAttribute("data-jwt"),
      parentNode: node,
      lang: "ptBR",
      userInfo: { displayName: node.getAttribute("data-name") || "" },
      configOverwrite: { prejoinPageEnabled: true, disableDeepLinking: true },
    });
    window.pacoJitsi = api;
    if (isModerator) {
      // The inspector lets each citizen in from the lobby (the waiting room).
      api.addEventListener("videoConferenceJoined", function () {
        api.executeCommand("toggleLobby", true);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
