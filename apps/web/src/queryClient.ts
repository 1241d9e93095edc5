import { createAppQueryClient } from './createAppQueryClient';
import { authPrompt } from './session/authPrompt';
import { openSessionChannel } from './session/sessionChannel';

/** The channel this tab shares with the app's other tabs. */
export const sessionChannel = openSessionChannel();

/** The one QueryClient of the app. */
export const queryClient = createAppQueryClient({ prompt: authPrompt, channel: sessionChannel });
