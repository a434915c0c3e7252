// The same package from a CommonJS file: TypeScript's nodenext resolution lets it require the ES module
// (Node 20.19+ / 22.12+ run require(esm)).
import ncp = require('ncp-silicon');

const model = new ncp.CfC(2, 4, { seed: 2 });
export const result: ncp.ForwardResult = model.step(ncp.tensor([0.5, -0.5], [2]), undefined, 1);
