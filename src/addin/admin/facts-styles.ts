/**
 * Styles of the admin page's fact lists (`<dl>`: a label column and a value column, stacked
 * below 480 px), shared by the tenant status and the app registration section.
 */
import { makeStyles, tokens } from '@fluentui/react-components';

export const useFactsStyles = makeStyles({
  facts: {
    display: 'grid',
    gridTemplateColumns: 'minmax(140px, max-content) 1fr',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
    '@media (max-width: 480px)': { gridTemplateColumns: '1fr' },
  },
  dt: { color: tokens.colorNeutralForeground3 },
  dd: { margin: 0, wordBreak: 'break-word' },
});
