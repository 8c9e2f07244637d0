/**
 * The environment jsii's tools run in. This machine's Node.js is 20 (the package supports 20 and
 * later); jsii, jsii-pacmak and the Python runtime's kernel still run on it, but print a banner on
 * every call that Node 20 is past its end of life. The banner says nothing about this build, so it
 * is silenced for Node 20 only: on any other unsupported version it still shows.
 */
export const JSII_ENV: NodeJS.ProcessEnv = {
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20',
  JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '20',
};
