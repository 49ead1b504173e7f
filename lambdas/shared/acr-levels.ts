/**
 * Cognito's four fixed authentication levels and the acr it reports for each when the pool
 * names none (the step-up guide: urn:cognito:loa:1 to urn:cognito:loa:4). One place for the
 * tenant config, the custom resource and the Cognito stand-in.
 */
export const LEVELS = ['Level1', 'Level2', 'Level3', 'Level4'] as const;
export type Level = (typeof LEVELS)[number];

export const defaultLevelName = (level: Level) => `urn:cognito:loa:${level.slice(-1)}`;
