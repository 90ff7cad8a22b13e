// Progressive enhancement for the ballot: keep "You have chosen £X of £Y" up to date as the voter
// ticks projects.  Without JavaScript the "Check my choices" button recomputes it on the server.
const form = document.getElementById("pb-ballot");
if (form) {
  const costOf = (input) => {
    const label = form.querySelector(`label[for="${input.id}"]`);
    const match = label ? label.textContent.match(/£([\d,]+)\s*$/) : null;
    return match ? parseInt(match[1].replace(/,/g, ""), 10) : 0;
  };
  const fmt = (n) => "£" + n.toLocaleString("en-GB");
  const update = () => {
    const totals = {};
    form.querySelectorAll('input[type="checkbox"]').forEach((input) => {
      const area = input.name === "choices" ? "choices" : input.name.replace(/^area_/, "");
      totals[area] = (totals[area] || 0) + (input.checked ? costOf(input) : 0);
    });
    Object.entries(totals).forEach(([area, total]) => {
      const line = document.querySelector(`[data-pb-area="${area}"] strong`);
      if (line) line.textContent = fmt(total);
    });
  };
  form.addEventListener("change", update);
}
