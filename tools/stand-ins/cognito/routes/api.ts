/** The user pool API (AWS JSON 1.1): https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/Welcome.html */
import type { Hono } from 'hono';
import { verifyAccessToken } from '../access-token';
import { userPoolApi } from '../api';
import type { StandInState } from '../state';

export function apiRoutes(app: Hono, s: StandInState): void {
  app.post('/', (c) => userPoolApi(c, { model: s.model, users: s.users, region: s.region, verifyAccessToken: (token) => verifyAccessToken(s, token), secrets: s.secrets, settings: s.settings }));
}
