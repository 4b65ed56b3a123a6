import { bundleConfig } from '../../scripts/tsup-bundle.js';

export default bundleConfig();
