// Progressive enhancement for the ranked ballot: as the voter numbers candidates, a live summary
// lists their choices in order and says at once if a number is repeated or missing.  The server
// checks the ballot again when it is cast; without JavaScript the form works the same.
const form = document.querySelector("[data-ranked-ballot]");
if (form) {
  const inputs = Array.from(form.querySelectorAll("input[name^='rank-']"));
  const summary = document.getElementById("ballot-summary");
  const nameOf = (input) => form.querySelector(`label[for='${input.id}']`).textContent.trim();
  const update = () => {
    const byNumber = new Map();
    let problem = "";
    for (const input of inputs) {
      const text = input.value.trim();
      if (!text) continue;
      const n = Number(text);
      if (!Number.isInteger(n) || n < 1 || n > inputs.length) {
        problem = `Enter a whole number from 1 to ${inputs.length} next to ${nameOf(input)}.`;
        continue;
      }
      if (!byNumber.has(n)) byNumber.set(n, []);
      byNumber.get(n).push(nameOf(input));
    }
    const numbers = Array.from(byNumber.keys()).sort((a, b) => a - b);
    const repeated = numbers.find((n) => byNumber.get(n).length > 1);
    if (!problem && repeated !== undefined) {
      problem = `You used ${repeated} more than once (${byNumber.get(repeated).join(" and ")}).`;
    }
    const gap = numbers.findIndex((n, i) => n !== i + 1);
    if (!problem && gap !== -1) {
      problem = `Number ${gap + 1} is missing: choices after a missing number would not be counted.`;
    }
    const order = numbers.filter((n, i) => n === i + 1).map((n) => `${n}. ${byNumber.get(n)[0]}`);
    summary.textContent = problem || (order.length ? `Your choices: ${order.join(", ")}.` : "");
  };
  summary.hidden = false;
  form.addEventListener("input", update);
  update();
}
