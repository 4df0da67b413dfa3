/**
 * The Outlook taskpane's entry: renders at once (a placeholder of the same layout), then waits
 * for office.js (absent or outside Office is fine: the page says where it runs), loads the
 * sign-in settings from the server and mounts {@link App}. With `?signin=dialog` the page is the
 * Office dialog sign-in instead (see `auth.ts`).
 */
import { FluentProvider, Spinner, Text, teamsHighContrastTheme, webDarkTheme, webLightTheme, type Theme } from '@fluentui/react-components';
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { ClientConfig } from '../../shared/client-config';
import { loadClientConfig } from '../common/client-config';
import { createTaskpaneApi } from './api';
import { App } from './App';
import { createTaskpaneAuth, runDialogSignIn } from './auth';
import { type AppointmentPrefill, detectOffice, type OfficeEnvironment, onThemeChanged, readAppointment, type ThemeKind } from './office';

const THEMES: Record<ThemeKind, Theme> = { light: webLightTheme, dark: webDarkTheme, contrast: teamsHighContrastTheme };

type Boot =
  | { state: 'starting' }
  | { state: 'failed'; message: string; env?: OfficeEnvironment }
  | { state: 'ready'; env: OfficeEnvironment; config: ClientConfig; prefill?: AppointmentPrefill | undefined };

function Root() {
  const [boot, setBoot] = useState<Boot>({ state: 'starting' });
  const [theme, setTheme] = useState<ThemeKind>('light');

  useEffect(() => {
    (window as unknown as { conveneTimings?: Record<string, number> }).conveneTimings = { firstRenderMs: performance.now() };
    void (async () => {
      const env = await detectOffice();
      setTheme(env.theme);
      onThemeChanged(setTheme);
      let config: ClientConfig;
      try {
        config = await loadClientConfig();
      } catch (e) {
        setBoot({ state: 'failed', env, message: `${(e as Error).message} Reload the taskpane to try again.` });
        return;
      }
      const prefill = await readAppointment(env).catch(() => undefined);
      setBoot({ state: 'ready', env, config, prefill });
    })();
  }, []);

  return (
    <FluentProvider theme={THEMES[theme]} style={{ minHeight: '100vh' }}>
      {boot.state === 'ready' ? (
        <Ready env={boot.env} config={boot.config} prefill={boot.prefill} />
      ) : (
        <main style={{ padding: 12 }} aria-label="Convene" aria-busy={boot.state === 'starting'}>
          <Text as="h1" size={500} weight="semibold" block>
            Convene
          </Text>
          {boot.state === 'starting' ? (
            <Spinner size="tiny" label="Starting…" />
          ) : (
            <Text role="alert" block>
              {boot.env ? `${boot.env.description} ` : ''}
              {boot.message}
            </Text>
          )}
        </main>
      )}
    </FluentProvider>
  );
}

function Ready(props: { env: OfficeEnvironment; config: ClientConfig; prefill?: AppointmentPrefill | undefined }) {
  const [deps] = useState(() => {
    const auth = createTaskpaneAuth(props.config, props.env);
    return { auth, api: createTaskpaneApi(auth) };
  });
  return <App env={props.env} auth={deps.auth} api={deps.api} prefill={props.prefill} />;
}

const root = document.getElementById('root');
if (new URLSearchParams(location.search).get('signin') === 'dialog') {
  void loadClientConfig().then(runDialogSignIn);
} else if (root)
  createRoot(root).render(
    <StrictMode>
      <Root />
    </StrictMode>,
  );
