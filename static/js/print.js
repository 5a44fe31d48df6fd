// "Print this page" buttons start hidden: they need this script. Without it, the page says how to print.
for (const button of document.querySelectorAll("[data-sp-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
