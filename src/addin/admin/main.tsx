/**
 * The admin page entry (`/admin`): loads the public sign-in settings, then renders {@link AdminApp}.
 */
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { createRoot } from 'react-dom/client';
import { createApiClient } from '../common/api-client';
import { loadClientConfig } from '../common/client-config';
import { createSignIn } from '../common/sign-in';
import { createAdminApi } from './admin-api';
import { AdminApp } from './admin-app';

async function start(root: HTMLElement): Promise<void> {
  const reactRoot = createRoot(root);
  try {
    const config = await loadClientConfig();
    const signIn = createSignIn(config);
    const api = createAdminApi(createApiClient({ getToken: () => signIn.getToken() }));
    reactRoot.render(
      <FluentProvider theme={webLightTheme}>
        <AdminApp signIn={signIn} api={api} search={location.search} />
      </FluentProvider>,
    );
  } catch (e) {
    reactRoot.render(
      <FluentProvider theme={webLightTheme}>
        <main style={{ padding: 24 }}>
          <h1>Convene for IT admins</h1>
          <p role="alert">{e instanceof Error ? e.message : 'The admin page could not start.'}</p>
        </main>
      </FluentProvider>,
    );
  }
}

const root = document.getElementById('root');
if (root) void start(root);
