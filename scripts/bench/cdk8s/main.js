// The cdk8s side of scripts/bench-render.sh: the same Kubernetes objects
// pgplan renders for one service (BENCH_TEMPLATE, pgplan's manifests.yaml of
// svc-0000), synthesized by cdk8s for BENCH_SERVICES services, each in its
// own chart (one YAML file per service), with the shared Namespace once.
'use strict';
const { App, Chart, ApiObject, Yaml } = require('cdk8s');

const services = Number(process.env.BENCH_SERVICES || 1000);
const docs = Yaml.load(process.env.BENCH_TEMPLATE).filter(Boolean);
const namespace = docs.find((o) => o.kind === 'Namespace');
const perService = JSON.stringify(docs.filter((o) => o.kind !== 'Namespace'));

const app = new App();
if (namespace) {
  new ApiObject(new Chart(app, '00-namespaces'), 'namespace', namespace);
}
for (let i = 0; i < services; i++) {
  const name = 'svc-' + String(i).padStart(4, '0');
  const chart = new Chart(app, name);
  JSON.parse(perService.split('svc-0000').join(name)).forEach((object, j) => {
    new ApiObject(chart, `object-${j}`, object);
  });
}
app.synth();
