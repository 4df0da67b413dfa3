import { ConveneError } from '../../../shared/errors';
import {
  blockedReason,
  accessDeniedReason,
  classifyMailboxFailure,
  GraphError,
  graphErrorFromResponse,
  readGraphErrorBody,
  toMailboxFailure,
} from './errors';

describe('toMailboxFailure', () => {
  it.each([
    ['documented application access policy denial', { status: 403, code: 'ErrorAccessDenied', message: 'Access to OData is disabled.' }],
    [
      'RAOP wording',
      {
        status: 403,
        code: 'ErrorAccessDenied',
        message: 'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.',
      },
    ],
    [
      'ExtensionError wrapper',
      {
        status: 403,
        code: 'ExtensionError',
        message: 'Operation: Read; Exception: [Status Code: Forbidden; Reason: Access to OData is disabled.]',
      },
    ],
    [
      'bare 403 ErrorAccessDenied',
      { status: 403, code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.' },
    ],
    ['getSchedule per-schedule ErrorAccessDenied', { status: 0, code: 'ErrorAccessDenied', message: null }],
  ])('maps %s to blocked with the admin-readable reason', (_name, input) => {
    const f = toMailboxFailure(input);
    // Only the access-policy wording names the policy; a bare denial may be a missing permission.
    const namesPolicy = /OData|RAOP/.test(input.message ?? '');
    expect(f).toEqual({ status: 'blocked', reason: namesPolicy ? blockedReason : accessDeniedReason, graphCode: input.code });
    expect(f.reason).toMatch(namesPolicy ? /^Convene is not allowed to read this mailbox/ : /may lack an application permission/);
  });

  it.each([
    [{ status: 404, code: 'ErrorInvalidUser' }],
    [{ status: 404, code: 'MailboxNotEnabledForRESTAPI' }],
    [{ status: 404, code: 'Request_ResourceNotFound' }],
    [{ status: 404, code: 'ErrorItemNotFound' }],
    [{ status: 404, code: undefined }],
    [{ status: 400, code: 'ErrorMailRecipientNotFound' }],
    [{ status: 0, code: '5009', message: 'Unable to resolve e-mail address x@y to an Active Directory object.' }],
  ])('maps %j to notFound', (input) => {
    const f = toMailboxFailure(input);
    expect(f.status).toBe('notFound');
    expect(f.reason).toMatch(/No Exchange Online mailbox/);
    if (input.code) expect(f.graphCode).toBe(input.code);
    else expect(f).not.toHaveProperty('graphCode');
  });

  it('maps anything else to error with status and code in the reason', () => {
    expect(toMailboxFailure({ status: 500, code: 'ErrorInternalServerError' })).toEqual({
      status: 'error',
      reason: 'Microsoft Graph could not read this mailbox (HTTP 500, ErrorInternalServerError).',
      graphCode: 'ErrorInternalServerError',
    });
    // A 403 that is not about mailbox access (missing directory permission) is not "blocked".
    expect(classifyMailboxFailure({ status: 403, code: 'Authorization_RequestDenied', message: 'Insufficient privileges' })).toBe('error');
    expect(toMailboxFailure({ status: 0, code: 'ErrorServerBusy' }).reason).toBe(
      'Microsoft Graph could not read this mailbox (ErrorServerBusy).',
    );
  });

  it('never copies Graph’s message into the reason', () => {
    const f = toMailboxFailure({ status: 500, code: 'X', message: 'secret subject: Layoffs' });
    expect(JSON.stringify(f)).not.toContain('Layoffs');
  });
});

describe('GraphError', () => {
  it('is a ConveneError carrying Graph status, code and request-id, not the body', () => {
    const e = graphErrorFromResponse('events.create', {
      status: 500,
      requestId: 'rid-1',
      body: { error: { code: 'ErrorInternalServerError', message: 'Subject "Offer for Ann" failed' } },
    });
    expect(e).toBeInstanceOf(ConveneError);
    expect(e).toBeInstanceOf(GraphError);
    expect(e.code).toBe('graph_error');
    expect(e.status).toBe(502);
    expect(e.graphStatus).toBe(500);
    expect(e.graphCode).toBe('ErrorInternalServerError');
    expect(e.graphRequestId).toBe('rid-1');
    expect(e.message).not.toContain('Offer');
    expect(JSON.stringify(e)).not.toContain('Offer');
  });

  it('is graph_unavailable with retryAfterMs for throttling', () => {
    const e = graphErrorFromResponse('$batch', { status: 429, requestId: null, body: null }, 7000);
    expect(e.code).toBe('graph_unavailable');
    expect(e.status).toBe(503);
    expect(e.retryAfterMs).toBe(7000);
  });

  it('falls back to innerError.request-id', () => {
    const body = { error: { code: 'C', message: 'm', innerError: { 'request-id': 'inner-1' } } };
    expect(readGraphErrorBody(body)).toEqual({ code: 'C', message: 'm', innerRequestId: 'inner-1' });
    expect(graphErrorFromResponse('x', { status: 400, requestId: null, body }).graphRequestId).toBe('inner-1');
  });
});
