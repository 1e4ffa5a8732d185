/** The generated ECS table is @elastic/ecs's (run `npm run ecs-fields` after upgrading it). */
import { buildEcsFields } from '../../scripts/build_ecs_fields';
import table from './ecs_fields.json';
import { ecsAllowedValues, ecsType, isNumericType } from '.';

describe('ECS field table', () => {
  it('is current with @elastic/ecs', () => {
    expect(table).toEqual(buildEcsFields());
  });
  it('answers types and allowed values', () => {
    expect(ecsType('destination.bytes')).toBe('long');
    expect(isNumericType(ecsType('event.duration'))).toBe(true);
    expect(ecsType('source.ip')).toBe('ip');
    expect(ecsAllowedValues('event.category')).toContain('host');
    expect(ecsType('constructor')).toBeUndefined();
    expect(ecsType('my.own.field')).toBeUndefined();
  });
});
