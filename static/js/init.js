// Starts the GOV.UK Frontend components. Pages work without it.
import { initAll } from "/assets/dist/govuk-frontend.min.js";

initAll();
