// A/B of two tollama servers on one model: identical streamed requests, alternating (which server
// goes first swaps every round); prints per-round server eval rates and client first-to-last rates,
// their medians and the median of the per-round ratios A/B.
//   node ab.mjs URL_A URL_B MODEL NUM_PREDICT ROUNDS      (NOSTREAM=1: stream:false, server rate only)
const [a, b, model, n, rounds] = [
  process.argv[2],
  process.argv[3],
  process.argv[4],
  +process.argv[5],
  +process.argv[6],
];
const stream = process.env.NOSTREAM ? false : true;
const run = async (url, i) => {
  const res = await fetch(`${url}/api/generate`, {
    method: "POST",
    body: JSON.stringify({
      model,
      prompt: `round ${i} ${Math.random()}`,
      stream,
      options: { num_predict: n, seed: i },
    }),
  });
  let first = NaN,
    k = 0,
    last,
    buf = "";
  const dec = new TextDecoder();
  for await (const c of res.body) {
    buf += dec.decode(c, { stream: true });
    let j;
    while ((j = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, j);
      buf = buf.slice(j + 1);
      if (!line) continue;
      const o = JSON.parse(line);
      if (!o.done) {
        if (isNaN(first)) first = performance.now();
        k++;
      } else last = o;
    }
  }
  if (!last && buf) last = JSON.parse(buf);
  const t = performance.now();
  return {
    srv: (last.eval_count * 1e9) / last.eval_duration,
    cli: stream ? ((k - 1) * 1000) / (t - first) : NaN,
  };
};
await run(a, -1);
await run(b, -1);
const ra = [],
  rb = [];
for (let i = 0; i < rounds; i++) {
  if (i % 2) {
    rb.push(await run(b, i));
    ra.push(await run(a, i));
  } else {
    ra.push(await run(a, i));
    rb.push(await run(b, i));
  }
}
const med = (x) => [...x].sort((p, q) => p - q)[x.length >> 1];
for (const k of ["srv", "cli"]) {
  const A = ra.map((r) => r[k]),
    B = rb.map((r) => r[k]);
  console.log(
    `${k}: A ${A.map((x) => x.toFixed(0)).join(" ")}\n     B ${B.map((x) => x.toFixed(0)).join(" ")}\n     median A ${med(A).toFixed(1)} B ${med(B).toFixed(1)} paired A/B ${med(A.map((x, i) => x / B[i])).toFixed(3)}`,
  );
}
