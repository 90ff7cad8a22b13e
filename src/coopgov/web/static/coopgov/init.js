// Start the GOV.UK Frontend components (error summary focus, service navigation menu, radios,
// checkboxes, notification banners, …).  Loaded as an ES module at the end of <body>; every page
// also works without it.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
