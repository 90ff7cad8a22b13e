// Loaded synchronously at the start of <body> (the Content-Security-Policy forbids inline script):
// tells the GOV.UK Frontend styles that JavaScript runs, and that ES modules are supported, before
// anything is painted.  Keep this file tiny.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
