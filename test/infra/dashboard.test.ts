import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXISTING_VPC_CONFIG, withField } from './fixtures.js';
import { type SynthesizedCanary, synthesizeCanary, Workspace } from './synthesize.js';

type Json = Record<string, unknown>;

/** The dashboard body with every CloudFormation token replaced by a placeholder, parsed. */
function dashboardWidgets(canary: SynthesizedCanary): { type: string; properties: Json }[] {
  const [dashboard = {}] = Object.values(canary.template.findResources('AWS::CloudWatch::Dashboard')) as Json[];
  const body = (dashboard.Properties as Json).DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return JSON.parse(text).widgets;
}

describe('the dashboard of a canary with 120 targets', () => {
  let workspace: Workspace;
  let canary: SynthesizedCanary;
  beforeAll(() => {
    workspace = new Workspace();
    const targets = Array.from({ length: 120 }, (_, index) => ({
      name: `mx-${index}`,
      host: '198.51.100.25',
      expect: 'blocked',
    }));
    canary = synthesizeCanary(workspace, {
      ...withField(EXISTING_VPC_CONFIG, ['targets'], targets),
      maxConcurrentTasks: 50,
    });
  });
  afterAll(() => {
    workspace.remove();
  });

  it('puts at most 100 alarms in one alarm-status widget, and every alarm in one of them', () => {
    const alarmWidgets = dashboardWidgets(canary).filter((widget) => widget.type === 'alarm');
    const sizes = alarmWidgets.map((widget) => (widget.properties.alarms as unknown[]).length);

    // 120 target alarms + targets inconclusive + runs stopped + the restriction alarm.
    expect(sizes).toEqual([100, 23]);
    expect(alarmWidgets.map((widget) => widget.properties.title)).toEqual(['Alarms (1 of 2)', 'Alarms (2 of 2)']);
  });
});
