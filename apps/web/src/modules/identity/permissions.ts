// The server's own table: the UI offers only what the server would allow (the server stays the authority).
export { assignableRoles, type Permission, permissions, roleCan } from '@huike/contracts';
