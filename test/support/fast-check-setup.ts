import fc from 'fast-check';

// Property tests run with a fixed seed so a CI run is reproducible; FC_SEED=random explores new cases.
const seed = process.env.FC_SEED;
if (seed !== 'random') fc.configureGlobal({ seed: seed ? Number(seed) : 20261126 });
