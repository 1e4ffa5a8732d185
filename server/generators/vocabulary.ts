/**
 * Realistic value lists. Baseline pools and anomaly lists are disjoint by construction: an
 * anomaly value must never occur in the baseline (the verifier checks this on the output).
 */

export interface Theme {
  id: string;
  organisation: string;
  emailDomain: string;
  windowsDomain: string;
  hostPrefix: string;
  awsAccountId: string;
  firstNames: string[];
  lastNames: string[];
}

export const THEMES: Record<string, Theme> = {
  acme: {
    id: 'acme',
    organisation: 'Acme Corp',
    emailDomain: 'acme.com',
    windowsDomain: 'ACME',
    hostPrefix: 'acme',
    awsAccountId: '123456789012',
    firstNames: ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'uma', 'victor', 'wendy'],
    lastNames: ['anderson', 'brooks', 'chen', 'diaz', 'evans', 'fischer', 'garcia', 'hughes', 'ito', 'jones', 'kowalski', 'lopez', 'meyer', 'nguyen', 'okafor', 'patel', 'quinn', 'rossi', 'schmidt', 'tanaka'],
  },
  globex: {
    id: 'globex',
    organisation: 'Globex Corporation',
    emailDomain: 'globex.io',
    windowsDomain: 'GLOBEX',
    hostPrefix: 'gbx',
    awsAccountId: '210987654321',
    firstNames: ['hank', 'marge', 'lenny', 'carl', 'mona', 'patty', 'selma', 'otto', 'edna', 'waylon', 'agnes', 'cletus', 'helen', 'kent', 'lisa', 'martin', 'nelson', 'ruth', 'seymour', 'todd'],
    lastNames: ['scorpio', 'leonard', 'carlson', 'simpson', 'bouvier', 'mann', 'krabappel', 'smithers', 'skinner', 'flanders', 'lovejoy', 'brockman', 'hibbert', 'van houten', 'muntz', 'powell', 'prince', 'spuckler', 'terwilliger', 'wiggum'],
  },
};

export const LINUX_SERVICE_USERS = ['root', 'www-data', 'postgres', 'nginx', 'ubuntu', 'ec2-user', 'ansible', 'backup', 'prometheus', 'redis'];
export const WINDOWS_SERVICE_USERS = ['SYSTEM', 'svc_sql', 'svc_backup', 'svc_iis', 'svc_sccm', 'svc_monitoring', 'Administrator'];
export const ANOMALOUS_USERS = ['svc_update_tmp', 'adm1n_helpdesk', 'oracle_legacy', 'test_deploy', 'support_vendor', 'guest_ext', 'sqladmin_old', 'contractor_ro', 'backup_restore', 'temp_admin'];

export const LINUX_OS = [
  { name: 'Ubuntu', family: 'debian', platform: 'ubuntu', version: '22.04.4 LTS (Jammy Jellyfish)', kernel: '5.15.0-107-generic' },
  { name: 'Red Hat Enterprise Linux', family: 'redhat', platform: 'rhel', version: '9.3 (Plow)', kernel: '5.14.0-362.8.1.el9_3.x86_64' },
  { name: 'Debian GNU/Linux', family: 'debian', platform: 'debian', version: '12 (bookworm)', kernel: '6.1.0-18-amd64' },
];
export const WINDOWS_OS = [
  { name: 'Windows Server 2022 Datacenter', family: 'windows', platform: 'windows', version: '21H2', kernel: '10.0.20348.2340 (WinBuild.160101.0800)' },
  { name: 'Windows 11 Enterprise', family: 'windows', platform: 'windows', version: '23H2', kernel: '10.0.22631.3296 (WinBuild.160101.0800)' },
];

export const LINUX_HOST_ROLES = ['web', 'api', 'db', 'cache', 'worker', 'build', 'bastion', 'monitor', 'kafka', 'etl'];
export const WINDOWS_HOST_ROLES = ['dc', 'fs', 'sql', 'iis', 'exch', 'rds', 'wks', 'wks', 'wks', 'sccm'];

/** Baseline processes; the datafeeds' own tool lists (sudo, gcc, arp, ...) come from the queries. */
export const LINUX_PROCESSES = ['bash', 'sshd', 'systemd', 'cron', 'python3', 'node', 'java', 'nginx', 'postgres', 'docker', 'containerd', 'apt', 'rsync', 'tar', 'gzip', 'curl', 'git', 'vim', 'awk', 'sed', 'find', 'ps', 'top', 'journalctl', 'logrotate', 'sh', 'dash', 'kubelet', 'snapd', 'dpkg'];
export const ANOMALOUS_LINUX_PROCESSES = ['xmrig', 'kworkerds', 'pnscan', 'masscan', 'chisel', 'gsocket', 'sliver-client', 'tsunami', 'kinsing', 'ngrok', 'socat-static', 'linpeas.sh'];
export const WINDOWS_PROCESSES = ['svchost.exe', 'explorer.exe', 'chrome.exe', 'msedge.exe', 'OUTLOOK.EXE', 'WINWORD.EXE', 'EXCEL.EXE', 'Teams.exe', 'powershell.exe', 'cmd.exe', 'conhost.exe', 'taskhostw.exe', 'RuntimeBroker.exe', 'SearchIndexer.exe', 'MsMpEng.exe', 'sqlservr.exe', 'w3wp.exe', 'dllhost.exe', 'OneDrive.exe', 'notepad.exe', 'mmc.exe', 'gpupdate.exe', 'wmiprvse.exe', 'spoolsv.exe', 'lsass.exe'];
export const ANOMALOUS_WINDOWS_PROCESSES = ['rclone.exe', 'AnyDesk.exe', 'PsExec64.exe', 'procdump64.exe', 'nltest.exe', 'adfind.exe', 'ngrok.exe', 'plink.exe', 'SharpHound.exe', 'mshta_loader.exe', 'certutil_x.exe', 'wevtutil_clear.exe'];
export const WINDOWS_PARENT_OF: Record<string, string[]> = {
  'svchost.exe': ['services.exe'], 'explorer.exe': ['userinit.exe'], 'chrome.exe': ['explorer.exe'], 'msedge.exe': ['explorer.exe'],
  'OUTLOOK.EXE': ['explorer.exe'], 'WINWORD.EXE': ['explorer.exe', 'OUTLOOK.EXE'], 'EXCEL.EXE': ['explorer.exe', 'OUTLOOK.EXE'], 'Teams.exe': ['explorer.exe'],
  'powershell.exe': ['explorer.exe', 'cmd.exe'], 'cmd.exe': ['explorer.exe'], 'conhost.exe': ['cmd.exe', 'powershell.exe'], 'taskhostw.exe': ['svchost.exe'],
  'RuntimeBroker.exe': ['svchost.exe'], 'SearchIndexer.exe': ['services.exe'], 'MsMpEng.exe': ['services.exe'], 'sqlservr.exe': ['services.exe'],
  'w3wp.exe': ['svchost.exe'], 'dllhost.exe': ['svchost.exe'], 'OneDrive.exe': ['explorer.exe'], 'notepad.exe': ['explorer.exe'], 'mmc.exe': ['explorer.exe'],
  'gpupdate.exe': ['svchost.exe'], 'wmiprvse.exe': ['svchost.exe'], 'spoolsv.exe': ['services.exe'], 'lsass.exe': ['wininit.exe'],
};
export const LINUX_PARENTS = ['bash', 'systemd', 'sshd', 'cron', 'sh', 'containerd-shim', 'python3'];

export const WINDOWS_WORKDIRS = ['C:\\Windows\\system32\\', 'C:\\Program Files\\Microsoft Office\\root\\Office16\\', 'C:\\Program Files\\Google\\Chrome\\Application\\', 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\', 'C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\', 'C:\\inetpub\\wwwroot\\', 'C:\\Windows\\'];
export const ANOMALOUS_WINDOWS_WORKDIRS = ['C:\\Users\\Public\\Music\\', 'C:\\ProgramData\\Intel\\Logs\\tmp\\', 'C:\\Windows\\Temp\\x64\\', 'C:\\$Recycle.Bin\\S-1-5-18\\', 'C:\\PerfLogs\\Admin\\'];
export const WINDOWS_SERVICES = ['wuauserv', 'WinDefend', 'Spooler', 'BITS', 'W32Time', 'MSSQLSERVER', 'W3SVC', 'CcmExec', 'gupdate', 'edgeupdate', 'TrustedInstaller', 'Dnscache'];
export const ANOMALOUS_WINDOWS_SERVICES = ['PSEXESVC', 'AnyDeskSvc', 'RemComSvc', 'WinRMHelper32', 'MpSvcUpd', 'BTOBTO', 'KrbSvcHost', 'updsvc_x86'];

export const BENIGN_SCRIPTS = [
  'Get-Service | Where-Object {$_.Status -eq "Running"} | Select-Object Name, DisplayName',
  'Import-Module ActiveDirectory; Get-ADUser -Filter * -SearchBase "OU=Staff,DC=corp,DC=local" | Measure-Object',
  'Get-ChildItem -Path C:\\Logs -Filter *.log | Where-Object { $_.LastWriteTime -lt (Get-Date).AddDays(-30) } | Remove-Item',
  'Get-WmiObject Win32_LogicalDisk | Select-Object DeviceID, FreeSpace, Size',
  '$ErrorActionPreference = "Stop"; Test-NetConnection -ComputerName sql01 -Port 1433',
  'Get-EventLog -LogName System -Newest 50 | Where-Object { $_.EntryType -eq "Error" }',
  'Restart-Service -Name Spooler -Force',
  'Get-HotFix | Sort-Object InstalledOn -Descending | Select-Object -First 5',
  'Invoke-Command -ComputerName fs01 -ScriptBlock { Get-SmbShare }',
  'Set-ExecutionPolicy -Scope Process -ExecutionPolicy Bypass; & C:\\Scripts\\inventory.ps1',
];

export const LINUX_PORTS = [22, 53, 80, 123, 443, 5432, 6379, 8080, 9092, 9200];
export const ANOMALOUS_PORTS = [4444, 31337, 6667, 1337, 9001, 5555, 12345, 2222];

/** [city, region, country ISO code, country name, lat, lon, public /16 prefix] */
export const GEO: [string, string, string, string, number, number, string][] = [
  ['New York', 'New York', 'US', 'United States', 40.71, -74.0, '3.91'],
  ['San Francisco', 'California', 'US', 'United States', 37.77, -122.42, '54.67'],
  ['Chicago', 'Illinois', 'US', 'United States', 41.88, -87.63, '18.116'],
  ['London', 'England', 'GB', 'United Kingdom', 51.51, -0.13, '35.176'],
  ['Dublin', 'Leinster', 'IE', 'Ireland', 53.35, -6.26, '52.16'],
  ['Frankfurt am Main', 'Hesse', 'DE', 'Germany', 50.11, 8.68, '3.120'],
  ['Paris', 'Ile-de-France', 'FR', 'France', 48.86, 2.35, '15.188'],
  ['Amsterdam', 'North Holland', 'NL', 'Netherlands', 52.37, 4.9, '13.48'],
  ['Toronto', 'Ontario', 'CA', 'Canada', 43.65, -79.38, '15.222'],
  ['Tokyo', 'Tokyo', 'JP', 'Japan', 35.68, 139.69, '13.112'],
  ['Singapore', 'Singapore', 'SG', 'Singapore', 1.35, 103.82, '13.250'],
  ['Sydney', 'New South Wales', 'AU', 'Australia', -33.87, 151.21, '13.54'],
];
export const ANOMALOUS_GEO: [string, string, string, string, number, number, string][] = [
  ['Pyongyang', 'Pyongyang', 'KP', 'North Korea', 39.03, 125.75, '175.45'],
  ['Tehran', 'Tehran', 'IR', 'Iran', 35.69, 51.39, '5.160'],
  ['Minsk', 'Minsk City', 'BY', 'Belarus', 53.9, 27.57, '37.212'],
  ['Lagos', 'Lagos', 'NG', 'Nigeria', 6.52, 3.38, '41.58'],
  ['Caracas', 'Capital District', 'VE', 'Venezuela', 10.48, -66.9, '190.202'],
  ['Tashkent', 'Tashkent', 'UZ', 'Uzbekistan', 41.3, 69.24, '84.54'],
];

/** [event.action, event.provider] as CloudTrail reports them. */
export const AWS_ACTIONS: [string, string][] = [
  ['DescribeInstances', 'ec2.amazonaws.com'], ['GetObject', 's3.amazonaws.com'], ['PutObject', 's3.amazonaws.com'], ['ListBuckets', 's3.amazonaws.com'],
  ['AssumeRole', 'sts.amazonaws.com'], ['GetCallerIdentity', 'sts.amazonaws.com'], ['DescribeSecurityGroups', 'ec2.amazonaws.com'], ['GetParameter', 'ssm.amazonaws.com'],
  ['Decrypt', 'kms.amazonaws.com'], ['DescribeDBInstances', 'rds.amazonaws.com'], ['ListFunctions20150331', 'lambda.amazonaws.com'], ['GetLogEvents', 'logs.amazonaws.com'],
  ['DescribeStacks', 'cloudformation.amazonaws.com'], ['ListUsers', 'iam.amazonaws.com'], ['GetMetricData', 'monitoring.amazonaws.com'], ['DescribeVolumes', 'ec2.amazonaws.com'],
  ['ConsoleLogin', 'signin.amazonaws.com'], ['ListRoles', 'iam.amazonaws.com'], ['GetSecretValue', 'secretsmanager.amazonaws.com'], ['DescribeLoadBalancers', 'elasticloadbalancing.amazonaws.com'],
];
export const ANOMALOUS_AWS_ACTIONS: [string, string][] = [
  ['CreateAccessKey', 'iam.amazonaws.com'], ['StopLogging', 'cloudtrail.amazonaws.com'], ['PutBucketPolicy', 's3.amazonaws.com'], ['GetPasswordData', 'ec2.amazonaws.com'],
  ['DeleteTrail', 'cloudtrail.amazonaws.com'], ['AttachUserPolicy', 'iam.amazonaws.com'], ['CreateLoginProfile', 'iam.amazonaws.com'], ['ModifySnapshotAttribute', 'ec2.amazonaws.com'],
  ['DisableKey', 'kms.amazonaws.com'], ['UpdateAssumeRolePolicy', 'iam.amazonaws.com'], ['DeleteFlowLogs', 'ec2.amazonaws.com'], ['PutUserPolicy', 'iam.amazonaws.com'],
];
/** [error_code, error_message template]; {n} is replaced to make distinct messages. */
export const AWS_ERRORS: [string, string][] = [
  ['AccessDenied', 'Access Denied'],
  ['ThrottlingException', 'Rate exceeded'],
  ['NoSuchEntityException', 'The role with name ci-deploy cannot be found.'],
  ['ValidationException', 'Parameter validation failed'],
  ['ResourceNotFoundException', 'Secret not found'],
];
export const ANOMALOUS_AWS_ERRORS: [string, string][] = [
  ['InvalidClientTokenId', 'The security token included in the request is invalid.'],
  ['SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.'],
  ['UnauthorizedOperation', 'You are not authorized to perform this operation. Encoded authorization failure message: {n}'],
  ['AuthFailure', 'AWS was not able to validate the provided access credentials'],
  ['ExpiredToken', 'The security token included in the request is expired'],
];

export const DOMAINS = ['google.com', 'microsoft.com', 'office365.com', 'github.com', 'slack.com', 'amazonaws.com', 'zoom.us', 'salesforce.com', 'okta.com', 'atlassian.net', 'cloudflare.com', 'ubuntu.com', 'docker.io', 'npmjs.org', 'elastic.co'];
export const SUBDOMAINS = ['www', 'api', 'login', 'cdn', 'mail', 'static', 'update', 'app'];
export const ANOMALOUS_DOMAINS = ['dl-cdn-update.top', 'secure-login-verify.xyz', 'pastebin-mirror.ru', 'cryptopool-stratum.cc', 'telemetry-msft.info', 'files-share-drop.biz', 'c2-relay-node.net', 'update-checker.click'];
export const URL_PATHS = ['/', '/index.html', '/api/v1/health', '/api/v2/orders', '/static/app.js', '/login', '/images/logo.png', '/dashboard', '/metrics', '/favicon.ico'];
export const ANOMALOUS_URLS = ['http://185.220.101.47/x86_64.sh', 'http://91.215.85.12/update.bin', 'http://45.9.148.99/wp-content/plugins/shell.php?cmd=id', 'http://dl-cdn-update.top/payload.ps1', 'http://103.145.13.210/.x/kinsing', 'http://194.26.29.60/cgi-bin/luci;stok=/locale'];
export const USER_AGENTS = ['curl/8.4.0', 'python-requests/2.31.0', 'Go-http-client/1.1', 'aws-cli/2.15.30 Python/3.11.8 Linux/5.15.0 exe/x86_64.ubuntu.22', 'Apache-HttpClient/4.5.14 (Java/17.0.10)', 'okhttp/4.12.0', 'Debian APT-HTTP/1.3 (2.6.1)', 'Prometheus/2.51.0', 'kube-probe/1.29', 'Wget/1.21.2'];
export const ANOMALOUS_USER_AGENTS = ['sqlmap/1.7.12#stable (https://sqlmap.org)', 'masscan/1.3 (https://github.com/robertdavidgraham/masscan)', 'Nuclei - Open-source project (github.com/projectdiscovery/nuclei)', 'Havoc/0.7 beacon', 'zgrab/0.x', 'Hydra v9.5'];
