// Warns before an idle sign-in ends, and offers to keep it going. The server decides when a
// session ends; this only tells the person in time. Pages work without it.
const banner = document.getElementById("sp-timeout");

if (banner) {
  const idleMs = Number(banner.dataset.idleSeconds) * 1000;
  const warningMs = Number(banner.dataset.warningSeconds) * 1000;
  const form = document.getElementById("sp-timeout-form");
  const message = document.getElementById("sp-timeout-message");
  let timers = [];

  const warn = () => {
    banner.hidden = false;
    banner.setAttribute("role", "alert");
    message.focus();
  };

  const signedOut = () => {
    // The server has ended the session by now; the sign-in page says why.
    window.location.assign(banner.dataset.signedOutUrl);
  };

  const start = () => {
    timers.forEach((timer) => window.clearTimeout(timer));
    timers = [
      window.setTimeout(warn, Math.max(idleMs - warningMs, 0)),
      window.setTimeout(signedOut, idleMs),
    ];
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) {
        throw new Error(`keep-alive answered ${response.status}`);
      }
      banner.hidden = true;
      banner.setAttribute("role", "region");
      start();
    } catch {
      form.submit(); // the plain form still works
    }
  });

  start();
}
