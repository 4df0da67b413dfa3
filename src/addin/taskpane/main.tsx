/** The Outlook taskpane's entry (placeholder until the taskpane lands). */
import { FluentProvider, Text, webLightTheme } from '@fluentui/react-components';
import { createRoot } from 'react-dom/client';

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <FluentProvider theme={webLightTheme}>
      <Text as="h1">Convene</Text>
    </FluentProvider>,
  );
