import fc from 'fast-check';

// Property tests run from a fixed seed, so a CI run is reproducible; set QX_SEED to explore
// other cases locally (a failure prints its seed and path for fast-check to replay).
const seed = process.env.QX_SEED === undefined ? 20240101 : Number(process.env.QX_SEED);
fc.configureGlobal({ seed });
