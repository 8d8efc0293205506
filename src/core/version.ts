export const VIBECHECK_VERSION = '0.1.0';
