/**
 * The least-privilege table: every Microsoft Graph application permission Convene needs, why,
 * and whether the tenant's app-only token carries it.
 */
import {
  Badge,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import type { PermissionStatus } from '../../shared/admin';

const useStyles = makeStyles({
  scroll: { overflowX: 'auto' },
  name: { fontFamily: tokens.fontFamilyMonospace, whiteSpace: 'nowrap' },
});

export function PermissionsTable({ permissions }: { permissions: PermissionStatus[] }) {
  const s = useStyles();
  const missing = permissions.filter((p) => !p.granted);
  return (
    <div className={s.scroll}>
      <Table aria-label="Permissions Convene needs" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell scope="col">Permission</TableHeaderCell>
            <TableHeaderCell scope="col">Why Convene needs it</TableHeaderCell>
            <TableHeaderCell scope="col">Status</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {permissions.map((p) => (
            <TableRow key={p.name} data-permission={p.name}>
              <TableCell className={s.name}>{p.name}</TableCell>
              <TableCell>{p.reason}</TableCell>
              <TableCell>
                <Badge appearance="tint" color={p.granted ? 'success' : 'danger'}>
                  {p.granted ? 'Granted' : 'Missing'}
                </Badge>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {missing.some((p) => p.name.startsWith('Calendars') || p.name.startsWith('MailboxSettings')) && (
        <Text as="p" block size={200}>
          A missing Calendars or MailboxSettings permission may still be granted to Convene by RBAC for Applications in Exchange Online: run
          the mailbox check below to see what Convene can actually reach.
        </Text>
      )}
    </div>
  );
}
