import { createContext, ReactNode, useContext, useEffect, useState } from 'react';
import { api, ApiError } from './api';

export type Role = 'department_staff' | 'reviewer' | 'auditor' | 'management' | 'administrator';

export interface User {
  userId: string;
  displayName: string;
  roles: Array<{ role: Role; label: string; divisionIds: string[] }>;
}

interface Session {
  user: User | null | undefined;
  signIn(loginId: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  has(role: Role): boolean;
}

const SessionContext = createContext<Session | undefined>(undefined);

/** Who is signed in (cookie session): undefined while asking, null when no one. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  useEffect(() => {
    api.get<User>('/api/auth/me').then(setUser, (error) => {
      if (error instanceof ApiError && error.status === 401) setUser(null);
      else throw error;
    });
  }, []);
  const session: Session = {
    user,
    async signIn(loginId, password) {
      const answer = await api.post<{ user: User }>('/api/auth/login', { loginId, password });
      setUser(answer.user);
    },
    async signOut() {
      await api.post('/api/auth/logout');
      setUser(null);
    },
    has: (role) => !!user?.roles.some((grant) => grant.role === role),
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  return useContext(SessionContext)!;
}
