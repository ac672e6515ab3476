/**
 * The privacy center on /account: download my data and delete my account. (Profile edits are
 * their own island, privacy/ProfileForm.tsx, inside the profile card.)
 */
import '../styles/privacy-center.css';
import DataExport from './privacy/DataExport.tsx';
import AccountDeletion from './privacy/AccountDeletion.tsx';

interface Props {
  identity: 'local' | 'clerk';
}

export default function PrivacyCenter(props: Props) {
  return (
    <div class="privacy-center">
      <DataExport />
      <AccountDeletion identity={props.identity} />
    </div>
  );
}
