import { WordPressChartProps } from '../../charts/wordpress-chart';
import { Credentials } from '../credentials/credentials';
import { AppConfig } from './app-config';

/** The WordPressChart props a config file describes. */
export function chartPropsFromConfig(config: AppConfig): WordPressChartProps {
  const { credentials, ...rest } = config;
  return {
    ...rest,
    credentials: credentials?.existingSecrets
      ? Credentials.fromExistingSecrets(credentials.existingSecrets)
      : Credentials.generated({ databaseName: credentials?.databaseName, username: credentials?.username }),
  };
}
