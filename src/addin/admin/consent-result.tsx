/**
 * The answer of the admin consent callback (`/admin?result=<code>`), in plain words: what
 * happened and what the admin does next (texts from `src/shared/admin.ts`).
 */
import { MessageBar, MessageBarBody, MessageBarTitle, Text } from '@fluentui/react-components';
import { CONSENT_RESULTS, ConsentResultCode, type ConsentResultText } from '../../shared/admin';

/** The text for a result code from the URL; unknown codes read as a generic failure. */
export function consentResultText(code: string): ConsentResultText {
  const parsed = ConsentResultCode.safeParse(code);
  return CONSENT_RESULTS[parsed.success ? parsed.data : 'consent_failed'];
}

export function ConsentResult({ code }: { code: string }) {
  const text = consentResultText(code);
  return (
    <MessageBar intent={text.severity} layout="multiline" data-testid="consent-result" data-result={code}>
      <MessageBarBody>
        <MessageBarTitle>{text.title}</MessageBarTitle>
        <Text as="p" block>
          {text.explanation}
        </Text>
        <Text as="p" block weight="semibold">
          Next: {text.nextStep}
        </Text>
      </MessageBarBody>
    </MessageBar>
  );
}
