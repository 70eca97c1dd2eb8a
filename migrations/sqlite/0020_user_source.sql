-- How an account was created: 'admin' (the management API or the CLI), 'sign_up' (the hosted
-- sign-up page) or 'invitation'. Accounts that existed before are the administrators'.
alter table user_account add column source text not null default 'admin';
