// require() of the ES module package (Node 20.19+ / 22.12+): the same step through CommonJS.
const { AutoNCP, LTC, tensor } = require('ncp-silicon');
const { exportOnnx } = require('ncp-silicon/onnx');

const model = new LTC(3, new AutoNCP(16, 4), { seed: 1 });
const { output } = model.step(tensor([0.1, 0.2, 0.3], [3]), undefined, 0.5);
console.log(JSON.stringify({ output: Array.from(output.data), onnxBytes: exportOnnx(model).length }));
